/**
 * The command line of the executable jar (picocli): {@link io.postino.cli.Main} runs a node (and
 * stops it on SIGTERM, reloads it on SIGHUP: {@link io.postino.cli.Signals}),
 * {@link io.postino.cli.CheckConfigCommand} lists every problem of a configuration,
 * {@link io.postino.cli.RouteCommand} prints a domain's route, {@link io.postino.cli.UsersCommand}
 * manages the AUTH users file; {@code queue}, {@code status} and {@code send} are the operator's
 * {@code mailq}/{@code postqueue}/{@code postsuper} and {@code sendmail}, talking to the running
 * server's admin API (its options from {@code admin}) or, when none runs, reading its spool under
 * the spool's lock ({@code spool}); {@link io.postino.cli.DkimCommand} makes DKIM keys and checks
 * their DNS records; {@link io.postino.cli.TrainCommand} runs a mail workload for the JVM's
 * class-data archive or AOT cache.
 *
 * <p>Implementation, not API: the commands and their exit statuses are the interface, not these
 * classes. It depends on {@code io.postino} and on the implementation packages whose work a
 * command does without starting a node (the resolver, the users file, a stopped spool); nothing
 * depends on it.
 *
 * <p>Depends on: {@code io.postino}, {@code admin}, {@code spool}, {@code server}, {@code bus}, {@code dns},
 * {@code server.auth}, {@code smtp}, {@code config}, {@code dkim}.
 */
package io.postino.cli;
