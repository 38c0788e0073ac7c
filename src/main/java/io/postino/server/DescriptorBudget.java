package io.postino.server;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many SMTP connections the process's file-descriptor limit ({@code RLIMIT_NOFILE}, {@code
 * ulimit -n}) can hold. Past that limit every open fails, the spool's journal and directories
 * included, for every session at once; so the connection limit is derived from it at start.
 *
 * <p>The arithmetic: a session in DATA holds {@value #PER_SESSION} descriptors (its socket and its
 * spool file), an outbound delivery connection {@value #PER_OUTBOUND} (its socket and the message
 * file it reads), and {@value #RESERVED} are kept for everything else (the JVM's jars and
 * libraries, each event loop's epoll and wake-up descriptors, the listening sockets, the spool's
 * directories and journal, DNS sockets, the users file and certificates, Hazelcast when
 * clustered). So {@code maxConnections} may be at most
 * {@code (limit - RESERVED - PER_OUTBOUND x delivery.maxConnections) / PER_SESSION}: with a limit
 * of 20,000 and the default 500 outbound connections, 8,988.
 */
public final class DescriptorBudget {

  private static final Logger log = LoggerFactory.getLogger(DescriptorBudget.class);

  public static final int PER_SESSION = 2;
  public static final int PER_OUTBOUND = 2;
  public static final int RESERVED = 1024;

  private DescriptorBudget() {
  }

  /** The process's limit on open files as the JVM sees it, or -1 when the platform does not say. */
  public static long descriptorLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
  }

  /**
   * The connection limit to use: {@code smtp.maxConnections} when the descriptor limit holds it;
   * when it does not, the most it holds if {@code maxConnections} was left at its default (logged).
   *
   * @param limit    the descriptor limit, -1 when unknown (then nothing is derived)
   * @param outbound the outbound connections this node may open (0 without the delivery role)
   * @throws IllegalArgumentException when a configured {@code maxConnections} cannot be held, or
   *     the limit holds not even one session
   */
  public static int maxConnections(ServerOptions smtp, long limit, int outbound) {
    int wanted = smtp.getMaxConnections();
    if (limit < 0) {
      log.info("SMTP: the file descriptor limit is unknown on this platform: at most {} connections", wanted);
      return wanted;
    }
    long others = RESERVED + (long) PER_OUTBOUND * outbound;
    long ceiling = Math.min(Integer.MAX_VALUE, (limit - others) / PER_SESSION);
    long needed = (long) PER_SESSION * wanted + others;
    if (needed <= limit) {
      log.info("SMTP: at most {} connections: {} x {} + {} reserved + {} x {} outbound = {} of {} file descriptors",
          wanted, PER_SESSION, wanted, RESERVED, PER_OUTBOUND, outbound, needed, limit);
      return wanted;
    }
    String arithmetic = PER_SESSION + " x " + wanted + " (socket and spool file per session) + " + RESERVED
        + " reserved + " + PER_OUTBOUND + " x " + outbound + " outbound = " + needed
        + " file descriptors, and the limit (ulimit -n, RLIMIT_NOFILE) is " + limit;
    if (ceiling < 1) {
      throw new IllegalArgumentException("the file descriptor limit " + limit + " cannot hold one SMTP session"
          + " next to " + others + " descriptors for the rest: raise it (ulimit -n)");
    }
    if (smtp.isMaxConnectionsSet()) {
      throw new IllegalArgumentException("smtp.maxConnections " + wanted + " needs " + arithmetic
          + ": raise the limit or set smtp.maxConnections to at most " + ceiling);
    }
    log.warn("SMTP: at most {} connections instead of the default {}: {} needs {}", ceiling, wanted,
        wanted, arithmetic);
    return (int) ceiling;
  }
}
