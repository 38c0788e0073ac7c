package io.postino.smtp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * One SASL exchange of the SMTP AUTH command (RFC 4954) for the mechanisms PLAIN (RFC 4616) and
 * LOGIN: from the AUTH command, through the client's responses to {@code 334} challenges, to the
 * credentials to check. Pure logic: the caller reads the lines and checks the password.
 *
 * <p>SECURITY: credentials must be valid UTF-8; a lenient decoder would map different invalid byte
 * strings to the same replacement character and so to the same password. PLAIN with an
 * authorization identity other than the login name is refused: Postino does not let one user act
 * for another.
 */
public final class SaslExchange {

  /** The mechanisms offered, in the order of the EHLO keyword. */
  public static final String MECHANISMS = "PLAIN LOGIN";

  /** What the server does next. */
  public sealed interface Step {
  }

  /** Send {@code 334 challenge} and read one more line from the client. */
  public record Challenge(String base64) implements Step {
  }

  /** The exchange is over: check these credentials. */
  public record Credentials(String user, String password) implements Step {
  }

  /**
   * The exchange is over without credentials: send {@code reply}; {@code failedAttempt} says
   * whether it counts as a failed login (malformed credentials) or only as a protocol error.
   */
  public record Refused(SmtpReply reply, boolean failedAttempt) implements Step {
  }

  private static final Refused CANCELLED = new Refused(Replies.AUTH_CANCELLED, false);
  private static final Refused BAD_BASE64 = new Refused(Replies.BAD_BASE64, false);
  private static final Refused BAD_CREDENTIALS = new Refused(Replies.AUTH_FAILED, true);
  private static final String USERNAME = b64("Username:");
  private static final String PASSWORD = b64("Password:");

  private enum Mechanism { PLAIN, LOGIN }

  private final Mechanism mechanism;
  private String loginUser;

  private SaslExchange(Mechanism mechanism) {
    this.mechanism = mechanism;
  }

  /** An exchange for {@code mechanism} (any case), or null when it is not supported. */
  public static SaslExchange create(String mechanism) {
    return switch (mechanism.toUpperCase(Locale.ROOT)) {
      case "PLAIN" -> new SaslExchange(Mechanism.PLAIN);
      case "LOGIN" -> new SaslExchange(Mechanism.LOGIN);
      default -> null;
    };
  }

  /**
   * The first step, given the AUTH command's initial response (base64, {@code =} for an empty
   * one) or null when there was none.
   */
  public Step start(String initialResponse) {
    if (initialResponse == null) {
      return mechanism == Mechanism.PLAIN ? new Challenge("") : new Challenge(USERNAME);
    }
    return respond(initialResponse.equals("=") ? "" : initialResponse);
  }

  /** The next step after the client's response line (without CRLF) to a challenge. */
  public Step respond(String line) {
    if (line.equals("*")) {
      return CANCELLED;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(line);
    } catch (IllegalArgumentException e) {
      return BAD_BASE64;
    }
    String text = utf8(decoded);
    if (text == null) {
      return BAD_CREDENTIALS;
    }
    return mechanism == Mechanism.PLAIN ? plain(text) : login(text);
  }

  /** {@code [authzid] NUL authcid NUL passwd} (RFC 4616 section 2). */
  private static Step plain(String message) {
    int first = message.indexOf('\0');
    int second = first < 0 ? -1 : message.indexOf('\0', first + 1);
    if (second < 0 || message.indexOf('\0', second + 1) >= 0) {
      return BAD_CREDENTIALS;
    }
    String authzid = message.substring(0, first);
    String user = message.substring(first + 1, second);
    String password = message.substring(second + 1);
    if (user.isEmpty() || password.isEmpty() || !(authzid.isEmpty() || authzid.equals(user))) {
      return BAD_CREDENTIALS;
    }
    return new Credentials(user, password);
  }

  private Step login(String text) {
    if (loginUser == null) {
      if (text.isEmpty()) {
        return BAD_CREDENTIALS;
      }
      loginUser = text;
      return new Challenge(PASSWORD);
    }
    return text.isEmpty() ? BAD_CREDENTIALS : new Credentials(loginUser, text);
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }
}
