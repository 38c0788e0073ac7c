package io.postino.cli;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Postino's log held to warnings and errors while a command runs servers of its own whose every
 * session the operator has no use for ({@code postino train}), restored on {@link #close()}. It
 * sets the level on Logback, the logging the executable jar ships; with another SLF4J backend
 * (an embedding application's) it changes nothing. A level already stricter is kept.
 */
final class QuietLog implements AutoCloseable {

  /** The logger above all of Postino's. */
  static final String POSTINO = "io.postino";

  private final Runnable restore;

  private QuietLog(Runnable restore) {
    this.restore = restore;
  }

  static QuietLog open() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    // by name, so that this class loads where Logback is not on the class path
    if (!factory.getClass().getName().equals("ch.qos.logback.classic.LoggerContext")) {
      return new QuietLog(() -> { });
    }
    return new QuietLog(OnLogback.warningsOnly(factory));
  }

  @Override
  public void close() {
    restore.run();
  }

  /** Apart, so that Logback's classes are loaded only when Logback is the backend. */
  private static final class OnLogback {

    static Runnable warningsOnly(ILoggerFactory factory) {
      ch.qos.logback.classic.Logger logger = ((ch.qos.logback.classic.LoggerContext) factory).getLogger(POSTINO);
      ch.qos.logback.classic.Level before = logger.getLevel();
      if (logger.getEffectiveLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)) {
        return () -> { };
      }
      logger.setLevel(ch.qos.logback.classic.Level.WARN);
      return () -> logger.setLevel(before);
    }
  }
}
