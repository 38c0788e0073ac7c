/**
 * Postino as an embedder sees it: supported API.
 *
 * <p>{@link io.postino.Postino} is the handle of a node running in a caller's {@code Vertx}: it
 * is started from {@link io.postino.PostinoOptions} (typed setters, or the JSON of {@code
 * conf/postino.json}), gives the ports it bound, the queue's operations ({@link
 * io.postino.QueueOperations}) and {@code close()}. {@link io.postino.Role} splits a node's work
 * across a cluster, {@link io.postino.ClusterOptions} is how the command line joins one.
 *
 * <p>The other supported packages are {@link io.postino.bus} (the event-bus contracts) and {@link
 * io.postino.reactor}; the options classes that {@code PostinoOptions} holds ({@code
 * ServerOptions}, {@code QueueOptions}, ...) are API as well. Every other package is
 * implementation and may change without notice.
 *
 * <p>This package wires every other package together, so it may depend on all of them but the
 * command line; none of them depends on it.
 *
 * <p>Depends on: {@code admin}, {@code monitor}, {@code metrics}, {@code dkim}, {@code spf}, {@code dmarc}, {@code tlspolicy}, {@code tlsrpt}, {@code dane}, {@code alias}, {@code server}, {@code server.session}, {@code server.auth}, {@code server.tls},
 * {@code intake}, {@code spool}, {@code queue}, {@code bounce}, {@code local}, {@code delivery},
 * {@code dns}, {@code dnsbl}, {@code bus}, {@code reactor}, {@code smtp}, {@code config}, {@code files}, {@code mime},
 * {@code mtasts}.
 */
package io.postino;
