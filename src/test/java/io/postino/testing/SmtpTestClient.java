package io.postino.testing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A raw-socket SMTP client for dialogue tests: writes exactly the bytes a test gives it and reads
 * replies line by line, so tests can send what no well-behaved client library would. Blocking, on
 * the test thread; every read has a timeout so a broken server fails a test instead of hanging it.
 * {@link #startTls()} and {@link #implicitTls(int)} speak TLS, trusting any certificate (the test
 * server's is self-signed).
 */
public final class SmtpTestClient implements Closeable {

  /** One reply: its code and its lines as received, without CRLF. */
  public record Reply(int code, List<String> lines) {
    public String text() {
      return String.join("\n", lines);
    }

    /** The enhanced status code of the first line, e.g. "5.1.1", or "" when there is none. */
    public String enhanced() {
      String first = lines.get(0);
      if (first.length() < 5) {
        return "";
      }
      String rest = first.substring(4);
      int sp = rest.indexOf(' ');
      String token = sp < 0 ? rest : rest.substring(0, sp);
      return token.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") ? token : "";
    }

    @Override
    public String toString() {
      return text();
    }
  }

  private Socket socket;
  private InputStream in;
  private OutputStream out;

  public SmtpTestClient(int port) throws IOException {
    this(port, 10_000);
  }

  public SmtpTestClient(int port, int readTimeoutMillis) throws IOException {
    this(null, port, readTimeoutMillis);
  }

  /**
   * A client connecting from {@code localAddress}, e.g. 127.0.0.5 (all of 127.0.0.0/8 is loopback
   * on Linux), so that tests can be different clients; null for any.
   */
  public SmtpTestClient(String localAddress, int port, int readTimeoutMillis) throws IOException {
    socket = new Socket();
    if (localAddress != null) {
      socket.bind(new InetSocketAddress(localAddress, 0));
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(readTimeoutMillis);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** A client whose connection is TLS from the first byte (RFC 8314); the greeting is not read. */
  public static SmtpTestClient implicitTls(int port) throws IOException {
    SmtpTestClient c = new SmtpTestClient(port);
    c.handshake();
    return c;
  }

  /**
   * Sends STARTTLS, expects 220, and performs the TLS handshake; the connection then speaks TLS.
   * Returns the 220 reply.
   */
  public Reply startTls() throws IOException {
    Reply ready = expect(command("STARTTLS"), 220);
    handshake();
    return ready;
  }

  /** Performs a TLS handshake on the connection as it stands (after the server's 220, say). */
  public void handshake() throws IOException {
    SSLSocket tls = (SSLSocket) trustAll().getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
    tls.setUseClientMode(true);
    tls.startHandshake();
    socket = tls;
    in = tls.getInputStream();
    out = tls.getOutputStream();
  }

  /** The client's port, as the server sees (and logs) it. */
  public int localPort() {
    return socket.getLocalPort();
  }

    /** The TLS session, or null before TLS. */
  public SSLSession tlsSession() {
    return socket instanceof SSLSocket tls ? tls.getSession() : null;
  }

  /** A client TLS context that accepts any server certificate. */
  public static SSLContext trustAll() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The raw output stream, for tests that write TLS records or other bytes by hand. */
  public InputStream rawInput() {
    return in;
  }

  public OutputStream rawOutput() {
    return out;
  }

  public SmtpTestClient send(String text) throws IOException {
    return sendBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  public SmtpTestClient sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Sends a command line (CRLF added) and reads its reply. */
  public Reply command(String line) throws IOException {
    send(line + "\r\n");
    return read();
  }

  /** Reads one reply, multi-line replies whole. */
  public Reply read() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = readLine();
      if (line == null) {
        throw new IOException("connection closed while reading a reply; got " + lines);
      }
      if (line.length() < 3) {
        throw new IOException("malformed reply line: " + line);
      }
      lines.add(line);
      if (line.length() == 3 || line.charAt(3) == ' ') {
        return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
      }
    }
  }

  /** Reads a line ending in CRLF; null at end of stream. A bare LF in a reply fails the test. */
  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
      }
      if (b == '\n') {
        if (prev != '\r') {
          throw new IOException("reply line ended with a bare LF");
        }
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      line.write(b);
      prev = b;
    }
  }

  /**
   * Sends one byte every 50 ms, from a daemon thread, until the connection breaks: a client that
   * never finishes what it started (a byte-dripping spammer).
   */
  public Thread drip() {
    Thread t = new Thread(() -> {
      try {
        while (true) {
          send("x");
          Thread.sleep(50);
        }
      } catch (Exception stopped) {
        // closed by the server (or the test): done
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** True when the server has closed the connection (reads end of stream within the timeout). */
  public boolean closedByServer() throws IOException {
    try {
      while (true) {
        int b = in.read();
        if (b < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // a reset also means the server is gone
      return true;
    }
  }

  /** Reads until the server closes the connection (or the read times out) and returns what came. */
  public byte[] readUntilClosed() throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try {
      for (int b = in.read(); b >= 0; b = in.read()) {
        got.write(b);
      }
    } catch (SocketTimeoutException e) {
      throw new IOException("the server did not close the connection; got " + got, e);
    } catch (IOException e) {
      // a reset: closed too
    }
    return got.toByteArray();
  }

  /** EHLO and a mail transaction up to the 354, for tests about content. */
  public Reply startData(String from, String... to) throws IOException {
    expect(command("EHLO client.example"), 250);
    expect(command("MAIL FROM:<" + from + ">"), 250);
    for (String rcpt : to) {
      expect(command("RCPT TO:<" + rcpt + ">"), 250);
    }
    return command("DATA");
  }

  public static Reply expect(Reply reply, int code) {
    if (reply.code() != code) {
      throw new AssertionError("expected " + code + " but got: " + reply);
    }
    return reply;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
