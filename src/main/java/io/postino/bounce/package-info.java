/**
 * Delivery status notifications (RFC 3461): failure and success reports and delay warnings; who
 * is told what ({@link io.postino.bounce.Notifier}), the report itself
 * ({@link io.postino.bounce.DsnBuilder}, RFC 3464), and its spooling as a new message through the one intake
 * ({@link io.postino.bounce.Bouncer}). The queue hands its settings in as
 * {@link io.postino.bounce.BounceSettings}.
 *
 * <p>Never depends on {@code queue}, which calls it.
 *
 * <p>Depends on: {@code intake}, {@code spool}, {@code bus}, {@code smtp}, {@code config}.
 */
package io.postino.bounce;
