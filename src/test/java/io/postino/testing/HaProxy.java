package io.postino.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * is ready once a third frontend, which only refuses, accepts a connection: HAProxy binds all its
 * frontends before it serves any.
 */
public final class HaProxy implements AutoCloseable {

  /** The address HAProxy connects to the backend from. */
  public static final String SOURCE = "127.0.0.2";

  private final Process process;
  private final Path log;
  private final int v1Port;
  private final int v2Port;

  private HaProxy(Process process, Path log, int v1Port, int v2Port) {
    this.process = process;
    this.log = log;
    this.v1Port = v1Port;
    this.v2Port = v2Port;
  }

  /** Starts HAProxy in the foreground in front of 127.0.0.1:{@code backendPort} and waits until it serves. */
  public static HaProxy start(Path dir, int backendPort) throws IOException {
    int v1 = freePort();
    int v2 = freePort();
    int ready = freePort();
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
    HaProxy proxy = new HaProxy(process, log, v1, v2);
    TestServer.await("haproxy to listen on 127.0.0.1:" + ready, () -> proxy.accepts(ready));
    return proxy;
  }

  /** A port free on 127.0.0.1 a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  private boolean accepts(int port) {
    if (!process.isAlive()) {
      throw new AssertionError("haproxy exited with " + process.exitValue() + ": " + output());
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
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
