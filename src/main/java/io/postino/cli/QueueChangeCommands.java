package io.postino.cli;

import io.postino.PostinoOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The queue commands that change something: {@code flush}, {@code hold}, {@code release},
 * {@code delete}, {@code requeue}. They need a running server (exit 69 otherwise): see
 * {@link QueueAccess#change}.
 */
final class QueueChangeCommands {

  private QueueChangeCommands() {
  }

  /** One operation on each message named; 1 when some were not there. */
  abstract static class EachMessage extends OperatorCommand {

    @Parameters(paramLabel = "ID", arity = "1..*", description = "queue ids")
    List<String> ids;

    /** The method, the path of the operation on {@code id}, and what is printed when done. */
    abstract String[] request(String id);

    @Override
    int run(PostinoOptions options) throws CommandFailure {
      QueueAccess queue = new QueueAccess(options, err());
      int status = ExitCodes.OK;
      for (String id : ids) {
        String[] r = request(QueueAccess.checkId(id));
        JsonObject done = queue.change(r[0], r[1], spec.name());
        if (done == null) {
          err().println("postino: " + id + ": no such message" + (spec.name().equals("release") ? " on hold" : " in the queue"));
          status = ExitCodes.NOT_FOUND;
        } else {
          out().println(id + ": " + r[2]);
        }
      }
      return status;
    }
  }

  @Command(name = "hold", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = "Put messages on hold (postsuper -h): kept, never tried, until released.")
  static final class Hold extends EachMessage {
    @Override
    String[] request(String id) {
      return new String[] {"POST", "/api/queue/" + id + "/hold", "placed on hold"};
    }
  }

  @Command(name = "release", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = "Release messages from hold (postsuper -H); they are tried at once.")
  static final class Release extends EachMessage {
    @Override
    String[] request(String id) {
      return new String[] {"POST", "/api/queue/" + id + "/release", "released from hold"};
    }
  }

  @Command(name = "requeue", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = "Make messages due now, so they are tried at once (postqueue -i).")
  static final class Requeue extends EachMessage {
    @Override
    String[] request(String id) {
      return new String[] {"POST", "/api/queue/" + id + "/requeue", "requeued"};
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = {"Delete messages without notice to anyone: those named (postsuper -d ID), or with --all every "
          + "message the filters take (postsuper -d ALL; --all --deferred is postsuper -d ALL deferred).",
          "A message being delivered is deleted when its attempt ends."})
  static final class Delete extends OperatorCommand {

    @Parameters(paramLabel = "ID", arity = "0..*", description = "queue ids")
    List<String> ids = List.of();

    @Option(names = "--all", description = "delete every message the filters take, or every message without one")
    boolean all;

    @Option(names = "--all-deferred", description = "the same as --all --deferred")
    boolean allDeferred;

    @Mixin
    QueueFilterOptions filter;

    @Override
    int run(PostinoOptions options) throws CommandFailure {
      boolean bulk = all || allDeferred;
      if (bulk == !ids.isEmpty() || !bulk && filter.any()) {
        throw new CommandFailure(ExitCodes.USAGE, "queue delete takes queue ids, or --all with or without filters");
      }
      if (bulk) {
        filter.deferred |= allDeferred;
        int deleted = new QueueAccess(options, err()).deleteAll(filter.filter());
        String which = filter.deferred == filter.hold ? "" : filter.deferred ? "deferred " : "held ";
        out().println("deleted " + deleted + " " + which + "message(s)");
        return ExitCodes.OK;
      }
      EachMessage each = new EachMessage() {
        @Override
        String[] request(String id) {
          return new String[] {"DELETE", "/api/queue/" + id, "deleted"};
        }
      };
      each.ids = ids;
      each.spec = spec;
      return each.run(options);
    }
  }

  @Command(name = "flush", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = "Try deferred mail now: all of it (postqueue -f), one message (postqueue -i ID), "
          + "or that with a recipient in a domain (postqueue -s DOMAIN).")
  static final class Flush extends OperatorCommand {

    @Parameters(paramLabel = "ID", arity = "0..1", description = "a queue id")
    String id;

    @Option(names = "--domain", paramLabel = "DOMAIN", description = "only mail with a recipient in DOMAIN")
    String domain;

    @Override
    int run(PostinoOptions options) throws CommandFailure {
      if (id != null && domain != null) {
        throw new CommandFailure(ExitCodes.USAGE, "queue flush takes a queue id or --domain, not both");
      }
      QueueAccess queue = new QueueAccess(options, err());
      if (id != null) {
        QueueAccess.checkId(id);
        if (queue.change("POST", "/api/queue/" + id + "/flush", "flush") == null) {
          err().println("postino: " + id + ": no such message in the queue");
          return ExitCodes.NOT_FOUND;
        }
        out().println(id + ": flushed");
        return ExitCodes.OK;
      }
      String path = domain == null ? "/api/queue/flush"
          : AdminClient.path("/api/queue/flush", java.util.Map.of("domain", domain));
      JsonObject done = queue.change("POST", path, "flush");
      out().println(domain == null ? "flushed: every deferred message is due now"
          : "flushed " + done.getInteger("flushed") + " message(s) for " + domain);
      return ExitCodes.OK;
    }
  }
}
