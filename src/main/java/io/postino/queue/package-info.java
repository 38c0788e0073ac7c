/**
 * Scheduling: the {@link io.postino.queue.QueueManager} verticle (the one owner of a message
 * once its sender has its 250, and the operator's operations), its bounded in-memory active
 * window, the round of delivery of one message and its end (retry, report, remove), the
 * {@link io.postino.queue.Dispatcher} that sends recipients out (by the {@code transport} table:
 * discard and error decided here, LMTP as jobs), delivery events, the spool read service that
 * serves the content of messages under way to delivery nodes elsewhere in the cluster
 * ({@code postino.spool.read.<node>}), and {@link io.postino.queue.QueueOptions}. {@link io.postino.queue.LocalTransport} is the interface
 * it calls for local recipients: the local side implements it. Every result, local or remote,
 * comes back here, so {@code DeliveryLog} writes the one delivery line of both.
 *
 * <p>Never depends on the listener, on delivery (reached over the bus only) or on local
 * delivery (called through {@code LocalTransport}).
 *
 * <p>Depends on: {@code spool}, {@code intake}, {@code bounce}, {@code bus}, {@code smtp}, {@code config},
 * {@code metrics}.
 */
package io.postino.queue;
