/**
 * Outbound delivery: the {@link io.postino.delivery.DeliveryVerticle} takes jobs from {@code
 * postino.delivery.submit}, asks for the route (of the resolver of its own process when there is one,
 * {@link io.postino.bus.LocalMxResolvers}, else over {@code postino.mx.resolve}), connects to each
 * mail exchanger in turn, speaks ESMTP as a client (STARTTLS, PIPELINING, SIZE, 8BITMIME,
 * SMTPUTF8, CHUNKING), keeps connections for reuse within per-destination limits, keeps the job's
 * deadline inside the transaction, and answers with one result per recipient. A job that names
 * an LMTP server goes there instead (a unix-domain socket or TCP, no MX lookup) over the same
 * client: LHLO, and one reply per recipient after the content (RFC 2033). What a message asks of
 * its transport (RFC 8689: REQUIRETLS, {@code TLS-Required: No}) adjusts each host's TLS policy
 * and, for REQUIRETLS, which hosts may take it ({@link io.postino.delivery.RequireTls}).
 *
 * <p>Stateless, so any node of a cluster can run it, with nothing shared but the network: the
 * per-destination limits, rates and back-off that all nodes must keep together live in the
 * cluster's shared data ({@link io.postino.delivery.SharedLimits}); the content of a job owned by a
 * queue node of another process is fetched from that node's spool read service over the bus (in
 * memory up to 64 KiB, else into a file of this node), the spool file of this process's queue is
 * read directly. It meets the resolver and the queue through the {@code bus} package only.
 *
 * <p>Depends on: {@code bus}, {@code smtp}, {@code config}, {@code mime}, {@code tlspolicy}.
 */
package io.postino.delivery;
