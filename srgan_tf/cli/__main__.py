import sys

from srgan_tf.cli import main

sys.exit(main())
