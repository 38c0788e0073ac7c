package io.postino.alias;

import io.postino.smtp.MailAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Sender Rewriting Scheme in the form of libsrs2 and postsrsd, so that SPF holds for mail
 * forwarded to another domain: the envelope sender {@code alice@origin.example} of a message
 * forwarded by {@code example.org} becomes
 * {@code SRS0=HHHH=TT=origin.example=alice@example.org}, where {@code TT} is the day (two base-32
 * characters, days since 1970 modulo 1024) and {@code HHHH} the first four base-64 characters of an
 * HMAC-SHA1, under a secret only this server knows, of the day, domain and local part (lower case).
 * A sender that is already SRS0 of another forwarder becomes SRS1
 * ({@code SRS1=HHHH=forwarder.example==HHHH=TT=origin.example=alice@example.org}), which points back at
 * that forwarder rather than growing at each hop.
 *
 * <p>SECURITY: a bounce to an SRS address is relayed to the address inside it, so a valid one
 * must be one this server made, lately: without the hash anyone could relay through it, without
 * the day an address once seen would work for ever. The hash is compared without regard to case,
 * as libsrs2 does, since some servers change the case of a local part; that leaves four characters
 * of about 38 values each (one chance in two million per guess), and the day bounds the window.
 * Pure code, thread-safe.
 */
public final class Srs {

  /** libsrs2's default: a bounce may come back up to three weeks after the message left. */
  public static final int DEFAULT_MAX_AGE_DAYS = 21;

  private static final String TIME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final int TIME_SLOTS = 1024;
  private static final int HASH_LENGTH = 4;

  /** What a recipient address is, for SRS. */
  public sealed interface Reversal {
  }

  /** Not an SRS address: an ordinary recipient. */
  public record NotSrs() implements Reversal {
  }

  /** A valid SRS address of ours: mail to it goes to {@code original}. */
  public record Valid(MailAddress original) implements Reversal {
  }

  /** An SRS address this server did not make (or whose form is broken): {@code why} is for the log and reply. */
  public record Invalid(String why) implements Reversal {
  }

  private final byte[] secret;
  private final int maxAgeDays;

  public Srs(byte[] secret, int maxAgeDays) {
    if (secret.length < 16) {
      throw new IllegalArgumentException("an SRS secret needs at least 16 octets");
    }
    if (maxAgeDays < 1 || maxAgeDays >= TIME_SLOTS) {
      throw new IllegalArgumentException("an SRS address lives from 1 to 1023 days: " + maxAgeDays);
    }
    this.secret = secret.clone();
    this.maxAgeDays = maxAgeDays;
  }

  /** True when a local part has the SRS form (SRS0 or SRS1 and a separator). */
  public static boolean isSrs(String localPart) {
    return localPart.length() > 5 && localPart.regionMatches(true, 0, "SRS", 0, 3)
        && (localPart.charAt(3) == '0' || localPart.charAt(3) == '1') && isSeparator(localPart.charAt(4));
  }

  private static boolean isSeparator(char c) {
    return c == '=' || c == '+' || c == '-';
  }

  /**
   * The sender of a message forwarded by {@code forwardingDomain}, on day {@code epochDay} (days
   * since 1970-01-01, UTC).
   */
  public MailAddress forward(MailAddress sender, String forwardingDomain, long epochDay) {
    String local = sender.localPart();
    if (isSrs(local)) {
      String rest = local.substring(5);
      if (Character.toUpperCase(local.charAt(3)) == '0') {
        // SRS0 of a forwarder: remember the forwarder, keep its opaque part
        return srs1(sender.domain(), local.charAt(4) + rest, forwardingDomain);
      }
      // SRS1: the first forwarder and its part stay as they are
      int sep = rest.indexOf('=');
      int opaque = sep < 0 ? -1 : rest.indexOf('=', sep + 1);
      if (opaque > 0 && opaque + 2 < rest.length()) {
        return srs1(rest.substring(sep + 1, opaque), rest.substring(opaque + 1), forwardingDomain);
      }
    }
    String stamp = stamp(epochDay);
    String hash = hash(stamp, sender.domain(), local);
    return new MailAddress("SRS0=" + hash + "=" + stamp + "=" + sender.domain() + "=" + local, forwardingDomain);
  }

  private MailAddress srs1(String firstForwarder, String opaque, String forwardingDomain) {
    String hash = hash(firstForwarder, opaque);
    return new MailAddress("SRS1=" + hash + "=" + firstForwarder + "=" + opaque, forwardingDomain);
  }

  /** What mail to {@code recipient} (in a domain of this server) is, on day {@code epochDay}. */
  public Reversal reverse(MailAddress recipient, long epochDay) {
    String local = recipient.localPart();
    if (!isSrs(local)) {
      return new NotSrs();
    }
    String rest = local.substring(5);
    if (Character.toUpperCase(local.charAt(3)) == '1') {
      // SRS1=HHHH=forwarder==opaque: back to SRS0=opaque@forwarder
      String[] parts = rest.split("=", 3);
      if (parts.length < 3 || parts[1].isEmpty() || parts[2].length() < 2 || !isSeparator(parts[2].charAt(0))) {
        return new Invalid("malformed SRS1 address");
      }
      if (!hashMatches(parts[0], hash(parts[1], parts[2]))) {
        return new Invalid("invalid SRS address");
      }
      return original("SRS0" + parts[2], parts[1]);
    }
    String[] parts = rest.split("=", 4);
    if (parts.length < 4 || parts[2].isEmpty() || parts[3].isEmpty() || parts[1].length() != 2) {
      return new Invalid("malformed SRS0 address");
    }
    if (!hashMatches(parts[0], hash(parts[1], parts[2], parts[3]))) {
      return new Invalid("invalid SRS address");
    }
    long day = day(parts[1]);
    if (day < 0 || Math.floorMod(epochDay - day, TIME_SLOTS) > maxAgeDays) {
      return new Invalid("expired SRS address");
    }
    return original(parts[3], parts[2]);
  }

  private static Reversal original(String local, String domain) {
    try {
      return new Valid(MailAddress.parse(local + "@" + domain));
    } catch (IllegalArgumentException e) {
      return new Invalid("malformed SRS address");
    }
  }

  static String stamp(long epochDay) {
    int t = (int) Math.floorMod(epochDay, TIME_SLOTS);
    return "" + TIME_CHARS.charAt(t >> 5) + TIME_CHARS.charAt(t & 31);
  }

  private static long day(String stamp) {
    int hi = TIME_CHARS.indexOf(Character.toUpperCase(stamp.charAt(0)));
    int lo = TIME_CHARS.indexOf(Character.toUpperCase(stamp.charAt(1)));
    return hi < 0 || lo < 0 ? -1 : (hi << 5) | lo;
  }

  private static boolean hashMatches(String presented, String expected) {
    // constant time, so that a hash cannot be guessed character by character from reply times
    return MessageDigest.isEqual(presented.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8),
        expected.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
  }

  private String hash(String... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret, "HmacSHA1"));
      for (String p : parts) {
        mac.update(p.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      }
      return Base64.getEncoder().encodeToString(mac.doFinal()).substring(0, HASH_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every Java runtime", e);
    }
  }
}
