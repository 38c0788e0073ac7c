/**
 * Local delivery: Maildir delivery of a spooled message to each local recipient (idempotent, so a
 * delivery cut short is redone safely), mailbox names, and the {@code postino.inbound} event.
 * {@link io.postino.local.LocalDelivery} implements the queue's
 * {@link io.postino.queue.LocalTransport}.
 *
 * <p>Of the queue it uses {@code LocalTransport} only.
 *
 * <p>Depends on: {@code queue}, {@code spool}, {@code files}, {@code bus}, {@code smtp}, {@code
 * config}.
 */
package io.postino.local;
