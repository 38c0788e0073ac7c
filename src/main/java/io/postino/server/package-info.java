/**
 * What every listener of a node shares, and the rules a session applies: {@link
 * io.postino.server.ServerContext} (options, policies, connection limits, the intake, TLS, AUTH),
 * {@link io.postino.server.ServerOptions} and {@link io.postino.server.ListenerOptions} (with the
 * {@link io.postino.server.ProxyProtocolOptions} of a listener behind a load balancer), the
 * per-port rules ({@link io.postino.server.ListenerPolicy}), who may relay and to which local
 * users, through which aliases ({@link io.postino.server.RecipientPolicy}), the event-bus policy hooks ({@link
 * io.postino.server.ApplicationPolicy}), connection limits derived from the descriptor limit, and
 * the spool budget of anonymous clients, and the DNS lists asked about clients ({@code dnsbl}). The
 * sessions themselves are in {@link io.postino.server.session}.
 *
 * <p>The listener never reaches the queue's scheduling, delivery, MX resolution or local delivery:
 * an accepted message leaves it through the {@code intake}, and everything after that happens
 * elsewhere. Its one use of DNS is the client's reputation, through {@code dnsbl}.
 *
 * <p>Depends on: {@code alias}, {@code server.auth}, {@code server.tls}, {@code intake}, {@code spool}, {@code
 * bus}, {@code smtp}, {@code config}, {@code files}, {@code metrics}, {@code dnsbl}.
 */
package io.postino.server;
