package io.postino.bus;

import io.postino.smtp.MailAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the mail of a domain or an address leaves instead of the usual way (Maildir for local
 * domains, SMTP to the MX hosts for the others): one entry of the {@code transport} table, written
 * as in Postfix's transport(5).
 *
 * <ul>
 *   <li>{@code lmtp:unix:/run/dovecot/lmtp}, {@code lmtp:host:port}, {@code lmtp:[2001:db8::1]:24},
 *       {@code lmtp:inet:host:port}: LMTP (RFC 2033) to a mailbox server, port 24 when none is
 *       given; see {@link Lmtp}.</li>
 *   <li>{@code discard} or {@code discard:text}: accepted and dropped, logged as sent with the text
 *       ({@code discarded} by default).</li>
 *   <li>{@code error:5.1.1 text}: refused for good with that status and text (a bounce); with a
 *       {@code 4.x.x} status, refused for now (the message waits and is retried, and bounces at
 *       {@code queue.maxLifetime}). Without a status: {@code 5.0.0}.</li>
 * </ul>
 */
public sealed interface Transport permits Transport.Lmtp, Transport.Discard, Transport.Error {

  /** The LMTP port when an entry names none (Postfix's default for {@code lmtp:} over TCP). */
  int DEFAULT_LMTP_PORT = 24;

  /** The entry as it is written in the table, and in a {@link DeliveryJob}. */
  String spec();

  /**
   * LMTP to a mailbox server: a unix-domain socket ({@code socketPath}) or a TCP host and port
   * ({@code socketPath} null).
   */
  record Lmtp(String host, int port, String socketPath) implements Transport {
    public Lmtp {
      if (socketPath == null) {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || port < 1 || port > 65535) {
          throw new IllegalArgumentException("an LMTP host and a port in 1..65535 are needed: " + host + ":" + port);
        }
      } else if (socketPath.isEmpty() || host != null || port != 0) {
        throw new IllegalArgumentException("an LMTP unix socket has a path, and no host or port");
      }
    }

    public boolean isUnixSocket() {
      return socketPath != null;
    }

    @Override
    public String spec() {
      return isUnixSocket() ? "lmtp:unix:" + socketPath
          : "lmtp:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** Accept and drop. */
  record Discard(String text) implements Transport {
    public Discard {
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String spec() {
      return "discard:" + text;
    }

    /** The result of every recipient that goes here: delivered, nowhere. */
    public RecipientResult resultFor(MailAddress recipient) {
      return new RecipientResult(recipient, RecipientResult.Outcome.DELIVERED, 250, "2.0.0", text, false, null, null);
    }
  }

  /** Refuse, for good ({@code 5.x.x}) or for now ({@code 4.x.x}). */
  record Error(String status, String text) implements Transport {
    public Error {
      if (!STATUS.matcher(status).matches()) {
        throw new IllegalArgumentException("an error transport's status is 4.x.x or 5.x.x: " + status);
      }
      Objects.requireNonNull(text, "text");
    }

    public boolean permanent() {
      return status.charAt(0) == '5';
    }

    @Override
    public String spec() {
      return "error:" + status + " " + text;
    }

    /** The result of every recipient that goes here: Postino's own refusal, 550 or 450. */
    public RecipientResult resultFor(MailAddress recipient) {
      return new RecipientResult(recipient, permanent() ? RecipientResult.Outcome.PERMANENT
          : RecipientResult.Outcome.TRANSIENT, permanent() ? 550 : 450, status, text, false, null, null);
    }
  }

  /** An RFC 3463 status of a failure. */
  Pattern STATUS = Pattern.compile("[45]\\.\\d{1,3}\\.\\d{1,3}");

  /** {@code 5.1.1 text}: a status, then the text. */
  Pattern ERROR = Pattern.compile("(?<status>\\d\\.\\d{1,3}\\.\\d{1,3})(?:\\s+(?<text>.*))?", Pattern.DOTALL);

  /**
   * Reads an entry; throws {@link IllegalArgumentException} saying what is wrong with it.
   */
  static Transport parse(String spec) {
    String s = spec.strip();
    int colon = s.indexOf(':');
    String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
    String rest = colon < 0 ? "" : s.substring(colon + 1).strip();
    if (rest.indexOf('\r') >= 0 || rest.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("a transport has no line break: " + spec);
    }
    return switch (kind) {
      case "discard" -> new Discard(rest.isEmpty() ? "discarded" : rest);
      case "error" -> error(rest);
      case "lmtp" -> lmtp(rest, spec);
      default -> throw new IllegalArgumentException("unknown transport " + kind
          + " (expected lmtp:unix:PATH, lmtp:HOST:PORT, discard[:TEXT] or error:STATUS TEXT): " + spec);
    };
  }

  private static Error error(String rest) {
    Matcher m = ERROR.matcher(rest);
    if (m.matches()) {
      String text = m.group("text");
      return new Error(m.group("status"), text == null || text.isBlank() ? "delivery refused by the configuration"
          : text.strip());
    }
    return new Error("5.0.0", rest.isEmpty() ? "delivery refused by the configuration" : rest);
  }

  private static Lmtp lmtp(String rest, String spec) {
    if (rest.startsWith("unix:")) {
      String path = rest.substring("unix:".length()).strip();
      if (path.isEmpty()) {
        throw new IllegalArgumentException("lmtp:unix: needs the socket's path: " + spec);
      }
      return new Lmtp(null, 0, path);
    }
    String hostPort = rest.startsWith("inet:") ? rest.substring("inet:".length()) : rest;
    String host;
    String port;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("unclosed [ in " + spec);
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      if (!after.isEmpty() && !after.startsWith(":")) {
        throw new IllegalArgumentException("expected :PORT after ] in " + spec);
      }
      port = after.isEmpty() ? "" : after.substring(1);
    } else {
      int last = hostPort.lastIndexOf(':');
      if (last >= 0 && hostPort.indexOf(':') != last) {
        throw new IllegalArgumentException("write an IPv6 address in brackets, [2001:db8::1]:24: " + spec);
      }
      host = last < 0 ? hostPort : hostPort.substring(0, last);
      port = last < 0 ? "" : hostPort.substring(last + 1);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("lmtp: needs unix:PATH or HOST:PORT: " + spec);
    }
    try {
      return new Lmtp(host, port.isEmpty() ? DEFAULT_LMTP_PORT : Integer.parseInt(port), null);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port in " + spec);
    }
  }
}
