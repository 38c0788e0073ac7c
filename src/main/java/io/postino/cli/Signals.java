package io.postino.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Unix signals a service manager sends: TERM and INT stop the server gracefully and let it
 * exit 0 (a shutdown hook cannot: the JVM then exits 143 whatever the hook does), HUP reloads the
 * configuration (by default it would kill the JVM). Through {@code sun.misc.Signal}, the JDK's one
 * way to handle a signal without exiting; a JVM that will not let it (for instance under
 * {@code -Xrs}) falls back to a shutdown hook for the stop, and to no reload. A signal the process
 * was started with ignored (SIGHUP under {@code nohup}) stays ignored: a WARN line says so.
 */
final class Signals {

  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private Signals() {
  }

  /** Runs {@code stop} on TERM and INT (each on a thread of its own, as the JDK calls signal handlers). */
  static void onStop(Runnable stop) {
    boolean handled = handle("TERM", stop) & handle("INT", stop);
    if (!handled) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop, "postino-shutdown"));
    }
  }

  /** Runs {@code reload} on HUP. */
  static void onReload(Runnable reload) {
    handle("HUP", reload);
  }

  @SuppressWarnings("removal")
  private static boolean handle(String name, Runnable action) {
    try {
      sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run());
      // A signal ignored when the JVM started stays ignored, whatever handler is set, silently. No
      // shutdown hook makes up for it; SIGINT is commonly ignored in a job a script started with &.
      if (before == sun.misc.SignalHandler.SIG_IGN && !name.equals("INT")) {
        log.warn("SIG{} is ignored by this process, as its parent left it (nohup does so for SIGHUP): {}", name,
            name.equals("HUP") ? "no reload on SIGHUP" : "SIG" + name + " does not stop it");
      }
      return true;
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.warn("SIG{} cannot be handled here ({}): {}", name, e.getMessage(),
          name.equals("HUP") ? "no reload on SIGHUP" : "stopping through a shutdown hook");
      return false;
    }
  }
}
