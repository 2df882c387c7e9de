"""``srgan models``: the named pretrained models, one line each."""

HELP = "list the named pretrained models (shipped, and imported from other packages)"
WORKLOAD = "inference"


def add_arguments(parser):
    pass


def run(args):
    from srgan_tf.pretrained.cards import card_line, named_models

    for card in named_models().values():
        print(card_line(card))
    return 0
