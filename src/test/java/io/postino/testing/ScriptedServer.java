package io.postino.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP "server" on 127.0.0.1, port 0, that says exactly what a test scripts, for behaviour no
 * real server shows on demand: malformed or unsolicited replies, plaintext after STARTTLS,
 * refusals at chosen steps. Each connection runs the next script (the last one repeats). Every
 * line received is logged; a script that throws is recorded and fails {@link #assertNoErrors()}.
 */
public final class ScriptedServer implements AutoCloseable {

  /** What the server does on one connection. */
  @FunctionalInterface
  public interface Script {
    void run(Peer peer) throws Exception;
  }

  /** One connection, seen from the server. */
  public final class Peer {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Peer(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    /** Writes raw text (CRLFs included by the script). */
    public Peer send(String raw) throws IOException {
      out.write(raw.getBytes(StandardCharsets.UTF_8));
      out.flush();
      return this;
    }

    /** Reads one line, without its CRLF; null at end of stream. */
    public String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          String s = line.toString(StandardCharsets.UTF_8);
          s = s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
          lines.add(s);
          return s;
        }
        line.write(b);
      }
      return null;
    }

    /** Reads a line and checks that it starts with {@code prefix}. */
    public String expect(String prefix) throws IOException {
      String l = line();
      if (l == null || !l.toUpperCase().startsWith(prefix.toUpperCase())) {
        throw new AssertionError("expected " + prefix + " but got " + l);
      }
      return l;
    }

    /** Reads exactly {@code n} octets (BDAT content). */
    public byte[] bytes(int n) throws IOException {
      return in.readNBytes(n);
    }

    /** Reads message content up to the terminating "." line; null if the client hung up first. */
    public String data() throws IOException {
      StringBuilder sb = new StringBuilder();
      while (true) {
        String l = line();
        if (l == null) {
          return null;
        }
        if (l.equals(".")) {
          return sb.toString();
        }
        sb.append(l).append("\r\n");
      }
    }

    /** A standard mail transaction answered positively, one command at a time. */
    public String transaction() throws IOException {
      expect("MAIL FROM:");
      send("250 2.1.0 Ok\r\n");
      String l;
      while ((l = line()) != null && l.toUpperCase().startsWith("RCPT")) {
        send("250 2.1.5 Ok\r\n");
      }
      if (l == null || !l.equalsIgnoreCase("DATA")) {
        throw new AssertionError("expected DATA but got " + l);
      }
      send("354 go ahead\r\n");
      String content = data();
      send("250 2.0.0 Ok: queued\r\n");
      return content;
    }

    public void close() throws IOException {
      socket.close();
    }
  }

  private final ServerSocket server;
  private final List<Script> scripts;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();

  public ScriptedServer(Script... scripts) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.scripts = List.of(scripts);
    Thread acceptor = new Thread(this::acceptLoop, "scripted-smtp");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setSoTimeout(10_000);
        int n = connections.getAndIncrement();
        Script script = scripts.get(Math.min(n, scripts.size() - 1));
        Thread t = new Thread(() -> {
          try (s) {
            script.run(new Peer(s));
          } catch (Throwable e) {
            errors.add(e);
          }
        }, "scripted-smtp-" + n);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  public int connections() {
    return connections.get();
  }

  /** Every line received on every connection, in order per connection. */
  public List<String> lines() {
    return lines;
  }

  public void assertNoErrors() {
    if (!errors.isEmpty()) {
      AssertionError e = new AssertionError("script failed: " + errors.get(0));
      errors.forEach(e::addSuppressed);
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
