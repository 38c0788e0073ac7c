/**
 * Durable storage of messages: the {@link io.postino.spool.Spool} (one file per message in
 * {@code incoming}, {@code hold}, {@code corrupt}, written under {@code tmp}), its file format,
 * the write-ahead journal of small messages (and of a larger one committed alone) and the group
 * commit that shares fsyncs between concurrent commits, the journaled messages kept in memory
 * until they need a file ({@code ResidentMessages}), per-message status files ({@link io.postino.spool.MessageStatus}), all
 * that opening a spool recovers after a crash or a power cut, and the journal's checkpoint when it
 * closes cleanly, which leaves nothing to recover. Also the types every side of a
 * message shares: {@link io.postino.spool.Envelope}, {@link io.postino.spool.SpooledMessage},
 * {@link io.postino.spool.QueueIds}.
 *
 * <p>Knows nothing of SMTP sessions, scheduling or delivery. Of the bus it uses one type: a
 * status file records recipients' results as {@link io.postino.bus.RecipientResult} (the bus's
 * contracts depend on {@code smtp} only, so there is no cycle).
 *
 * <p>Depends on: {@code smtp}, {@code files}, {@code config}, {@code bus}, {@code metrics}, {@code authres}.
 */
package io.postino.spool;
