package io.postino.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * The log lines of everything under {@code io.postino}, caught by a Logback {@link ListAppender}
 * for as long as the capture is open. The server logs from its own threads, after the replies a
 * test sees: {@link #await} waits for a line to appear.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger("io.postino");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture() {
    appender.start();
    logger.addAppender(appender);
  }

  /** Every line so far, formatted as the encoder's %msg would write it. */
  public List<String> lines() {
    // the appender appends under its own lock (AppenderBase.doAppend is synchronized)
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** Every event so far, arguments and exceptions included. */
  public List<ILoggingEvent> events() {
    synchronized (appender) {
      return new ArrayList<>(appender.list);
    }
  }

  /** Waits for a line matching {@code regex} (from its start) and returns it. */
  public String await(String regex) {
    Pattern p = Pattern.compile(regex);
    return await(regex, l -> p.matcher(l).lookingAt());
  }

  public String await(String what, Predicate<String> line) {
    TestServer.await("a log line " + what + " in " + lines(), () -> lines().stream().anyMatch(line));
    return lines().stream().filter(line).findFirst().orElseThrow();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
