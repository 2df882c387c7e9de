"""Sums and means across tf.distribute replicas, so a step computes on several replicas what
it computes on one: gradients summed in one collective, batch means over the global batch."""

import tensorflow as tf

from srgan_tf.utils.keras_compat import set_gradient_reduction


def gradient_norm(optimizer, grads):
    """Global norm of the gradients of the *unscaled* loss: under a LossScaleOptimizer the
    gradients are of ``scale · loss`` (2¹⁵ by default), which would make the logs depend on
    the precision policy. Call it before ``optimizer.apply(grads)``: a dynamic loss scale changes
    in ``apply`` (doubles after its growth steps, halves on non-finite gradients), and the norm
    must be divided by the scale the gradients were computed with."""
    return tf.linalg.global_norm(grads) / optimizer.scale_loss(tf.constant(1.0))


def take_reduced_gradients(optimizer):
    """Makes ``optimizer`` apply gradients as given instead of summing them over replicas.

    ``SRGAN`` sums both networks' gradients itself, in one collective, so the logged norms are
    of the global gradient (not of one replica's share) and no two collectives can be issued in
    different orders by different replicas.
    """
    set_gradient_reduction(optimizer, list)


def sum_over_replicas(*gradient_lists):
    """Each list summed over the replicas, all in one all-reduce (identity on one replica)."""
    replica = tf.distribute.get_replica_context()
    if replica is None or replica.num_replicas_in_sync == 1:
        return gradient_lists
    flat = replica.all_reduce(tf.distribute.ReduceOp.SUM, [g for grads in gradient_lists for g in grads])
    out, start = [], 0
    for grads in gradient_lists:
        out.append(flat[start : start + len(grads)])
        start += len(grads)
    return out


def global_batch_mean(values):
    """Mean over the *global* batch: under tf.distribute, every replica's examples.

    The relativistic loss compares each example with the mean over the batch; a per-replica
    mean would make the loss (and the trained model) depend on the number of replicas.
    ``all_reduce`` is differentiable (its gradient is the all-reduced gradient), so the
    generator is trained through the other replicas' fakes too, as on one device.
    """
    values = tf.cast(values, tf.float32)
    replica = tf.distribute.get_replica_context()
    if replica is None or replica.num_replicas_in_sync == 1:
        return tf.reduce_mean(values)
    total, count = replica.all_reduce(
        tf.distribute.ReduceOp.SUM, [tf.reduce_sum(values), tf.cast(tf.size(values), tf.float32)]
    )
    return total / count
