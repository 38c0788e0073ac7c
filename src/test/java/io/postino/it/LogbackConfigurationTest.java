package io.postino.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The logging configurations shipped in {@code conf/} (README, "Logs"): the executable jar's own,
 * one event per line, and the JSON-lines one, whose lines a log shipper parses.
 */
class LogbackConfigurationTest {

  private static final String LINE = "1M92WJ4GJ000HFX: to=<bob@dest.test>, relay=mx.dest.test[192.0.2.1]:25, "
      + "delay=0.46, delays=0.02/0/0.23/0.19, dsn=2.0.0, status=sent (250 2.0.0 Ok)";

  /** What the configuration in {@code file} writes for one INFO event of the queue's delivery log. */
  private static String encode(String file) throws Exception {
    LoggerContext context = new LoggerContext();
    // what the SLF4J binding gives the context it starts with
    context.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(Path.of(file).toFile());
    for (Status s : context.getStatusManager().getCopyOfStatusList()) {
      assertTrue(s.getLevel() < Status.ERROR, file + ": " + s);
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertEquals(Level.INFO, root.getLevel());
    assertFalse(context.getLogger("io.netty").isInfoEnabled(), "Netty's chatter stays out");
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> appender = (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDERR");
    Logger logger = context.getLogger("io.postino.queue.DeliveryLog");
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, LINE, null, null);
    String encoded = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    context.stop();
    return encoded;
  }

  @Test
  void thePlainConfigurationWritesOneLinePerEvent() throws Exception {
    String line = encode("conf/logback.xml");
    assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  DeliveryLog - "
        + Pattern.quote(LINE) + "\\R"), line);
  }

  @Test
  void theJsonConfigurationWritesOneObjectPerLine() throws Exception {
    String line = encode("conf/logback-json.xml");
    assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);
    JsonObject json = new JsonObject(line);
    assertEquals(LINE, json.getString("formattedMessage"));
    assertEquals("INFO", json.getString("level"));
    assertEquals("io.postino.queue.DeliveryLog", json.getString("loggerName"));
    assertTrue(json.getLong("timestamp") > 0, line);
    assertFalse(json.containsKey("arguments"), line);
  }
}
