/**
 * The operator's HTTP port ({@code "admin"} in the configuration): one vertx-web server, loopback
 * by default, on which each part of a node's operation mounts its routes ({@link
 * io.postino.admin.AdminRoutes}); {@link io.postino.admin.AdminAccess} decides who may use them (a
 * bearer token kept in a file only the server's user reads, as Postfix's {@code postsuper} is
 * root's). The queue API ({@link io.postino.admin.QueueApi}) and the status
 * ({@link io.postino.admin.StatusApi}) reach every node of a cluster over the event bus: each node
 * announces itself in a cluster-wide map ({@link io.postino.admin.MemberAnnouncer}) and each queue
 * node serves its queue at an address of its own.
 *
 * <p>Depends on: {@code bus}, {@code config}, {@code files}.
 */
package io.postino.admin;
