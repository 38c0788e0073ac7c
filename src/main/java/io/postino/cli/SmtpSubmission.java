package io.postino.cli;

import io.postino.smtp.DataEncoder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One message submitted over SMTP by {@code postino send}: a plain blocking client for the local
 * server (no TLS, no AUTH: the local server trusts its own host, as Postfix's sendmail trusts its
 * pickup). Every reply that is not the expected one ends the submission with a
 * {@link CommandFailure} carrying sendmail's exit status for it.
 */
final class SmtpSubmission implements AutoCloseable {

  /** A reply: its code, its text (lines joined) and its lines' texts. */
  record Reply(int code, String text, List<String> lines) {
    @Override
    public String toString() {
      return code + " " + text;
    }
  }

  private static final int TIMEOUT_MILLIS = 300_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String server;

  SmtpSubmission(String host, int port) throws CommandFailure {
    this.server = host + ":" + port;
    try {
      socket = new Socket();
      socket.connect(new InetSocketAddress(host, port), 30_000);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      in = new java.io.BufferedInputStream(socket.getInputStream());
      out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    } catch (IOException e) {
      throw new CommandFailure(ExitCodes.TEMPFAIL, "cannot connect to the SMTP server " + server + ": " + e.getMessage());
    }
  }

  /** Greeting, EHLO, MAIL, every RCPT, DATA and the content, the final reply; returns that reply. */
  Reply submit(String helo, String sender, List<String> recipients, MessageInput message) throws CommandFailure {
    try {
      expect(read(), 220, "greeting", ExitCodes.UNAVAILABLE);
      Reply ehlo = expect(command("EHLO " + helo), 250, "EHLO", ExitCodes.UNAVAILABLE);
      // the content is not read before it is sent: declared 8-bit whenever the server takes it
      String parameters = offers(ehlo, "8BITMIME") ? " BODY=8BITMIME" : "";
      boolean international = !StandardCharsets.US_ASCII.newEncoder().canEncode(sender + String.join("", recipients));
      if (international && offers(ehlo, "SMTPUTF8")) {
        parameters += " SMTPUTF8";
      }
      expect(command("MAIL FROM:<" + sender + ">" + parameters), 250, "MAIL FROM:<" + sender + ">",
          ExitCodes.UNAVAILABLE);
      for (String rcpt : recipients) {
        expect(command("RCPT TO:<" + rcpt + ">"), 250, "RCPT TO:<" + rcpt + ">", ExitCodes.NO_USER);
      }
      expect(command("DATA"), 354, "DATA", ExitCodes.UNAVAILABLE);
      DataEncoder encoder = new DataEncoder();
      message.writeTo((bytes, length) -> encoder.encode(bytes, 0, length, this::write));
      encoder.finish(this::write);
      out.flush();
      Reply done = expect(read(), 250, "end of data", ExitCodes.UNAVAILABLE);
      command("QUIT");
      return done;
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new CommandFailure(ExitCodes.TEMPFAIL, "SMTP server " + server + ": " + e.getMessage());
    }
  }

  private static boolean offers(Reply ehlo, String keyword) {
    return ehlo.lines().stream().anyMatch(l -> l.equalsIgnoreCase(keyword) || l.toUpperCase(java.util.Locale.ROOT)
        .startsWith(keyword + " "));
  }

  private void write(byte[] bytes, int offset, int length) {
    try {
      out.write(bytes, offset, length);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A 4xx is for later (75); another unexpected reply is {@code permanent}. */
  private Reply expect(Reply reply, int code, String what, int permanent) throws CommandFailure {
    if (reply.code() == code || code == 250 && reply.code() == 251) {
      return reply;
    }
    int status = reply.code() >= 400 && reply.code() < 500 ? ExitCodes.TEMPFAIL : permanent;
    try {
      command(reply.code() == 421 ? "QUIT" : "RSET");
    } catch (IOException e) {
      // the server is gone already: its reply says why
    }
    throw new CommandFailure(status, "SMTP server " + server + " refused " + what + ": " + reply);
  }

  private Reply command(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return read();
  }

  private Reply read() throws IOException {
    List<String> lines = new java.util.ArrayList<>();
    while (true) {
      String line = readLine();
      if (line.length() < 3) {
        throw new IOException("malformed reply: " + line);
      }
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (line.length() == 3 || line.charAt(3) == ' ') {
        try {
          return new Reply(Integer.parseInt(line.substring(0, 3)), String.join(" ", lines), List.copyOf(lines));
        } catch (NumberFormatException e) {
          throw new IOException("malformed reply: " + line);
        }
      }
    }
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (line.length() > 4096) {
        throw new IOException("reply line too long");
      }
      line.append((char) b);
    }
    if (b < 0) {
      throw new IOException("connection closed by the server");
    }
    return line.toString().replaceAll("\r$", "");
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing more to say to it
    }
  }
}
