package io.postino.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian {@code haproxy}) in TCP mode on loopback, in front of one backend port: one
 * frontend that sends a PROXY protocol version 1 header ({@code send-proxy}) and one that sends
 * version 2 ({@code send-proxy-v2}), both connecting to the backend from {@link #SOURCE}, so that
 * the backend sees the proxy at another address than the clients. A missing haproxy fails the test
 * (CI installs it, see {@code .ci/run}).
 *
 * <p>HAProxy cannot bind port 0, so its ports are found free by binding port 0 and closing it. It
 * is ready once a third frontend, which only refuses, accepts a connection and closes it at once:
 * HAProxy binds all its frontends before it serves any. A port found free can be taken by another
 * process before HAProxy binds it (a parallel build's server on port 0): HAProxy then exits, or
 * the ready port answers as no HAProxy would; either way it starts again on other ports.
 */
public final class HaProxy implements AutoCloseable {

  /** The address HAProxy connects to the backend from. */
  public static final String SOURCE = "127.0.0.2";

  private final Process process;
  private final Path log;
  private final int v1Port;
  private final int v2Port;
  private final int readyPort;

  private HaProxy(Process process, Path log, int v1Port, int v2Port, int readyPort) {
    this.process = process;
    this.log = log;
    this.v1Port = v1Port;
    this.v2Port = v2Port;
    this.readyPort = readyPort;
  }

  /** Starts HAProxy in the foreground in front of 127.0.0.1:{@code backendPort} and waits until it serves. */
  public static HaProxy start(Path dir, int backendPort) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      HaProxy proxy = launch(dir, backendPort, freePort(), freePort(), freePort());
      if (proxy.awaitReady()) {
        return proxy;
      }
      String output = proxy.output();
      proxy.close();
      if (attempt == 3) {
        throw new AssertionError("haproxy did not serve on the ports it was given, 3 times: " + output);
      }
    }
  }

  private static HaProxy launch(Path dir, int backendPort, int v1, int v2, int ready) throws IOException {
    Path config = dir.resolve("haproxy.cfg");
    Files.writeString(config, """
        global
          maxconn 100
        defaults
          mode tcp
          timeout connect 5s
          timeout client 60s
          timeout server 60s
        frontend ready
          bind 127.0.0.1:%d
          tcp-request connection reject
        frontend v1
          bind 127.0.0.1:%d
          default_backend postino_v1
        frontend v2
          bind 127.0.0.1:%d
          default_backend postino_v2
        backend postino_v1
          server postino 127.0.0.1:%d send-proxy source %s
        backend postino_v2
          server postino 127.0.0.1:%d send-proxy-v2 source %s
        """.formatted(ready, v1, v2, backendPort, SOURCE, backendPort, SOURCE));
    Path log = dir.resolve("haproxy.log");
    Process process;
    try {
      // Debian puts it in /usr/sbin, on the PATH of root only
      String haproxy = Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? "/usr/sbin/haproxy" : "haproxy";
      process = new ProcessBuilder(haproxy, "-db", "-f", config.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("haproxy cannot run (Debian: apt-get install haproxy)", e);
    }
    return new HaProxy(process, log, v1, v2, ready);
  }

  /**
   * True once HAProxy serves; false when it exited, or when what accepts on its ready port is not
   * HAProxy (another process took the port), so that it starts again on other ports.
   */
  private boolean awaitReady() {
    Boolean[] outcome = new Boolean[1];
    TestServer.await("haproxy to listen on 127.0.0.1:" + readyPort, () -> {
      outcome[0] = probe();
      return outcome[0] != null;
    });
    return outcome[0];
  }

  /** Null while nothing listens on the ready port yet. */
  private Boolean probe() {
    if (!process.isAlive()) {
      return false;
    }
    try (Socket s = new Socket()) {
      try {
        s.connect(new InetSocketAddress("127.0.0.1", readyPort), 1_000);
      } catch (IOException refused) {
        return null;
      }
      s.setSoTimeout(5_000);
      try {
        // HAProxy's reject closes the connection without a word; another server greets or waits
        return s.getInputStream().read() < 0;
      } catch (SocketTimeoutException silent) {
        return false;
      } catch (IOException reset) {
        return true;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port free on 127.0.0.1 a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** What HAProxy has written so far, for a failure's message. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The frontend that sends a version 1 (text) header. */
  public int v1Port() {
    return v1Port;
  }

  /** The frontend that sends a version 2 (binary) header. */
  public int v2Port() {
    return v2Port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
