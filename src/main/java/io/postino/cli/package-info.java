/**
 * The command line of the executable jar (picocli): {@link io.postino.cli.Main} runs a node,
 * {@link io.postino.cli.RouteCommand} prints a domain's route, {@link io.postino.cli.UsersCommand}
 * manages the AUTH users file, {@link io.postino.cli.DkimCommand} makes DKIM keys and checks their
 * DNS records.
 *
 * <p>Implementation, not API: the commands and their exit statuses are the interface, not these
 * classes. It depends on {@code io.postino} and on the implementation packages whose work a
 * command does without starting a node (the resolver, the users file); nothing depends on it.
 *
 * <p>Implementation, not API: the commands and their exit statuses are the interface, not these
 * classes. Nothing depends on it.
 *
 * <p>Depends on: {@code io.postino}, {@code bus}, {@code dns}, {@code server.auth}, {@code smtp},
 * {@code config}, {@code dkim}.
 */
package io.postino.cli;
