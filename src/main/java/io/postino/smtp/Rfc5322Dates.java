package io.postino.smtp;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Dates as message headers write them (RFC 5322 section 3.3), e.g. {@code Tue, 1 Jul 2025 10:00:00 +0200}. */
public final class Rfc5322Dates {

  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

  private Rfc5322Dates() {
  }

  /** The instant in this machine's time zone, as a {@code Date:} or {@code Received:} header gives it. */
  public static String format(Instant instant) {
    return FORMAT.format(instant.atZone(ZoneId.systemDefault()));
  }
}
