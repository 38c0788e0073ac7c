/**
 * The event-bus contracts: the addresses ({@link io.postino.bus.Addresses}) and the message
 * formats of everything that crosses the bus, each with {@code toJson}/{@code fromJson}: sending
 * ({@code postino.send}), inbound mail, the policy hooks, delivery jobs and events, the spool
 * read service's requests ({@link io.postino.bus.SpoolRead}), and the MX
 * resolver's replies ({@link io.postino.bus.Route}, {@link io.postino.bus.RouteHost},
 * {@link io.postino.bus.RouteException}), which live here because delivery and the resolver meet
 * only through this package: over the bus, or, within one process, through the resolver each MX
 * resolver verticle registers in {@link io.postino.bus.LocalMxResolvers} (no JSON round trip per job). The {@code transport} table ({@link io.postino.bus.Transport},
 * {@link io.postino.bus.TransportTable}) is here too: the queue reads it, and a delivery job
 * carries its LMTP server to the delivery side. A queue's delivery jobs and their replies stay
 * records within one process ({@link io.postino.bus.InProcessCodecs}: not turned into JSON, copied
 * and read back while they wait), and are their JSON across a cluster.
 *
 * <p>Supported API: an application on the same bus (in the JVM or in the cluster) speaks these
 * formats.
 *
 * <p>Depends on: {@code smtp}, {@code authres}.
 */
package io.postino.bus;
