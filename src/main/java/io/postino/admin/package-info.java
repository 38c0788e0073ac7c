/**
 * The operator's HTTP port ({@code "admin"} in the configuration): one vertx-web server, loopback
 * by default, on which each part of a node's operation mounts its routes ({@link
 * io.postino.admin.AdminRoutes}); {@link io.postino.admin.AdminAccess} decides who may use them (a
 * bearer token kept in a file only the server's user reads, as Postfix's {@code postsuper} is
 * root's).
 *
 * <p>Depends on: {@code bus}, {@code config}, {@code files}.
 */
package io.postino.admin;
