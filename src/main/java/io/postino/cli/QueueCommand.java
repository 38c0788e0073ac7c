package io.postino.cli;

import io.postino.PostinoOptions;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code postino queue ...}: the operator's {@code mailq}, {@code postqueue} and {@code postsuper},
 * through the running server's admin API ({@code list} and {@code show} also read a stopped
 * server's spool). The changing commands are in {@link QueueChangeCommands}.
 */
@Command(name = "queue", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    exitCodeOnInvalidInput = ExitCodes.USAGE,
    description = "List, show and manage the mail queue (of every node of a cluster).",
    subcommands = {QueueCommand.ListCommand.class, QueueCommand.ShowCommand.class,
        QueueChangeCommands.Flush.class, QueueChangeCommands.Hold.class, QueueChangeCommands.Release.class,
        QueueChangeCommands.Delete.class, QueueChangeCommands.Requeue.class},
    exitCodeListHeading = "Exit status (of its commands):%n",
    exitCodeList = {"0:done", "1:a message named is not in the queue (or not on hold, for release)",
        "64:invalid command line", "69:no server runs (the changing commands need one), or its spool is locked",
        "70:the server failed", "74:the spool cannot be read", "75:a node did not answer in time",
        "77:the admin token is missing or refused", "78:the configuration is invalid"})
public final class QueueCommand {

  /** {@code queue list}: {@code mailq}. */
  @Command(name = "list", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = {"List the messages in the queue, as mailq does: id (* being delivered, ! on hold), size, "
          + "arrival, sender, then each recipient not finished with its state and last error.",
          "Reads the spool directly (under its lock) when no server runs."})
  static final class ListCommand extends OperatorCommand {

    @Option(names = "--json", description = "print the admin API's JSON")
    boolean json;

    @Mixin
    QueueFilterOptions filter;

    @Override
    int run(PostinoOptions options) throws CommandFailure {
      JsonObject listing = new QueueAccess(options, err()).list(filter.filter());
      out().print(json ? listing.encodePrettily() + "\n" : QueueText.list(listing));
      return ExitCodes.OK;
    }
  }

  /** {@code queue show ID}: {@code postcat -q}. */
  @Command(name = "show", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = {"Show one message: envelope, each recipient's history, headers; with --body its whole content.",
          "Reads the spool directly (under its lock) when no server runs."})
  static final class ShowCommand extends OperatorCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "the queue id")
    String id;

    @Option(names = "--body", description = "also print the message as spooled (headers and body)")
    boolean body;

    @Option(names = "--json", description = "print the admin API's JSON")
    boolean json;

    @Override
    int run(PostinoOptions options) throws CommandFailure {
      JsonObject message = new QueueAccess(options, err()).show(id, m -> {
        out().print(json ? m.encodePrettily() + "\n" : QueueText.show(m));
        if (body) {
          out().println("Content:");
        }
        // the content follows as octets, straight to standard output
        out().flush();
      }, body ? System.out : null);
      if (message == null) {
        throw new CommandFailure(ExitCodes.NOT_FOUND, "no message " + id + " in the queue");
      }
      System.out.flush();
      return ExitCodes.OK;
    }
  }
}
