import sys

from unified.cli import main

sys.exit(main())
