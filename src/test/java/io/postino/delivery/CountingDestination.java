package io.postino.delivery;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A destination SMTP server on 127.0.0.1, port 0, that counts the connections open at once (from
 * accept until QUIT or the client hangs up) and the messages it accepted. To let concurrency
 * build up, it can hold each greeting until so many connections are open (or a while has
 * passed); it can greet chosen connections with a refusal, and leave the first few connections
 * without a greeting until the client hangs up.
 */
final class CountingDestination implements AutoCloseable {

  private final ServerSocket server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final AtomicInteger delivered = new AtomicInteger();
  private final Object changed = new Object();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private volatile int greetWhenOpen = 1;
  private volatile long greetAfterMillis;
  private volatile int stalled;
  private volatile IntFunction<String> greeting = n -> "220 counting.test ready";

  CountingDestination() throws IOException {
    server = new ServerSocket(0, 100, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(this::acceptLoop, "counting-smtp");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Holds each greeting until {@code open} connections are open, or {@code millis} have passed. */
  CountingDestination holdGreetings(int open, long millis) {
    this.greetWhenOpen = open;
    this.greetAfterMillis = millis;
    return this;
  }

  /** The greeting of the n-th connection (from 0); anything but a 220 is followed by closing. */
  CountingDestination greeting(IntFunction<String> greeting) {
    this.greeting = greeting;
    return this;
  }

  /** The first {@code n} connections are never greeted: they stay open until the client hangs up. */
  CountingDestination stallFirst(int n) {
    this.stalled = n;
    return this;
  }

  int port() {
    return server.getLocalPort();
  }

  int open() {
    return open.get();
  }

  int maxOpen() {
    return maxOpen.get();
  }

  int delivered() {
    return delivered.get();
  }

  int connections() {
    return connections.get();
  }

  void assertNoErrors() {
    if (!errors.isEmpty()) {
      throw new AssertionError("destination failed: " + errors.get(0), errors.get(0));
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        int n = connections.getAndIncrement();
        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        signal();
        Thread t = new Thread(() -> serve(s, n), "counting-smtp-" + n);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s, int n) {
    boolean counted = true;
    try (s) {
      s.setSoTimeout(60_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      if (n < stalled) {
        while (in.read() >= 0) {
          // nothing is said: the client gives up or goes away
        }
        return;
      }
      awaitGreeting();
      String hello = greeting.apply(n);
      say(out, hello);
      if (!hello.startsWith("220")) {
        return;
      }
      String line;
      while ((line = in.readLine()) != null) {
        String verb = line.length() < 4 ? line.toUpperCase() : line.substring(0, 4).toUpperCase();
        switch (verb) {
          case "EHLO", "HELO", "MAIL", "RCPT", "RSET", "NOOP" -> say(out, "250 ok");
          case "DATA" -> {
            say(out, "354 go ahead");
            while (!".".equals(line = in.readLine())) {
              if (line == null) {
                return;
              }
            }
            delivered.incrementAndGet();
            say(out, "250 2.0.0 queued");
          }
          case "QUIT" -> {
            // the client is done: it gives its place back once it has read the 221 below
            counted = false;
            open.decrementAndGet();
            signal();
            say(out, "221 bye");
            return;
          }
          default -> say(out, "500 5.5.1 unknown command");
        }
      }
    } catch (IOException e) {
      // a client that resets the connection
    } catch (Throwable e) {
      errors.add(e);
    } finally {
      if (counted) {
        open.decrementAndGet();
        signal();
      }
    }
  }

  private void awaitGreeting() throws InterruptedException {
    long until = System.currentTimeMillis() + greetAfterMillis;
    synchronized (changed) {
      long left;
      while (open.get() < greetWhenOpen && (left = until - System.currentTimeMillis()) > 0) {
        changed.wait(left);
      }
    }
  }

  private void signal() {
    synchronized (changed) {
      changed.notifyAll();
    }
  }

  private static void say(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
