/**
 * The one way a message enters Postino: {@link io.postino.intake.Intake} (queue id, envelope with
 * each recipient marked local or relayed, the {@code Received:} header of
 * {@link io.postino.intake.ReceivedHeader}, the spool writer, the commit or judged commit, and the
 * hand-off to the queue), used by the SMTP session, by {@link io.postino.intake.SendVerticle}
 * ({@code postino.send}, with {@link io.postino.intake.MessageComposer} for structured messages)
 * and by bounces: one instance per node, made by the queue manager, whose door it is.
 *
 * <p>The hand-off to the queue is a {@code Consumer} given to it, so it never depends on the
 * queue; likewise the expansion of the recipients of messages made on the node (aliases, see
 * {@code alias}) is a {@link io.postino.intake.RecipientExpansion} the root sets on it, so that the
 * recipient policy of the listeners serves here too without intake depending on {@code server}.
 *
 * <p>Depends on: {@code spool}, {@code bus}, {@code smtp}, {@code config}, {@code dkim}, {@code spf}, {@code authres}.
 */
package io.postino.intake;
