"""Train SRGAN with Keras ``fit`` — the script to read and copy.

    python training/fit.py --config demo                      # bundled photos, a few minutes on a CPU
    python training/fit.py --config srgan_x4 --data DIV2K_train_HR --val Set5 --run-dir runs/x4
    python training/fit.py --config srgan_x4 --set loss.vgg_weights=/path/vgg19.weights.h5

Re-running the same command resumes from the last checkpoint. What happens
inside, per stage, is plain Keras (see ``srgan_tf.training.trainer.run_stage``)::

    model = SRGAN(generator, discriminator, vgg_features, content="vgg54")
    model.compile(generator_optimizer=Adam(1e-4, beta_1=0.9), discriminator_optimizer=Adam(1e-4, beta_1=0.9))
    model.fit(make_training_data(config)[0], steps_per_epoch=..., validation_data=..., callbacks=[...])
"""

import sys

from srgan_tf.cli.commands import run_script, train

if __name__ == "__main__":
    sys.exit(run_script(train, __doc__))
