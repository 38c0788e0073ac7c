package io.postino.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * The lines one logger writes from now on, for a test to wait for. Logback is only on the runtime
 * class path (the main code sees SLF4J alone), so the appender is attached through reflection: a
 * proxy of {@code ch.qos.logback.core.Appender} that keeps each event's formatted message.
 */
public final class LogLines implements AutoCloseable {

  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Object logger;
  private final Object appender;

  public LogLines(Class<?> loggerClass) throws ReflectiveOperationException {
    logger = LoggerFactory.getLogger(loggerClass);
    Class<?> appenderType = Class.forName("ch.qos.logback.core.Appender");
    InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
      case "doAppend" -> {
        Method formatted = args[0].getClass().getMethod("getFormattedMessage");
        lines.add(String.valueOf(formatted.invoke(args[0])));
        yield null;
      }
      case "getName" -> "test-" + System.identityHashCode(proxy);
      case "isStarted" -> true;
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      case "toString" -> "LogLines";
      default -> method.getReturnType() == boolean.class ? false : null;
    };
    appender = Proxy.newProxyInstance(appenderType.getClassLoader(), new Class<?>[] {appenderType}, handler);
    logger.getClass().getMethod("addAppender", appenderType).invoke(logger, appender);
  }

  /** The next line that {@code matches}, skipping others; fails after 20 s. */
  public String await(Predicate<String> matches) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      String line = lines.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("no matching log line within 20 s");
      }
      if (matches.test(line)) {
        return line;
      }
    }
  }

  @Override
  public void close() throws ReflectiveOperationException {
    Class<?> appenderType = Class.forName("ch.qos.logback.core.Appender");
    logger.getClass().getMethod("detachAppender", appenderType).invoke(logger, appender);
  }
}
