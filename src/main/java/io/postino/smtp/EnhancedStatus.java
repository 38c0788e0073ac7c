package io.postino.smtp;

/**
 * An RFC 3463 enhanced status code, {@code class.subject.detail}, e.g. {@code 5.1.1}.
 */
public record EnhancedStatus(int klass, int subject, int detail) {

  public EnhancedStatus {
    if (klass != 2 && klass != 4 && klass != 5) {
      throw new IllegalArgumentException("class must be 2, 4 or 5: " + klass);
    }
    if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
      throw new IllegalArgumentException("subject and detail are 0..999");
    }
  }

  public static EnhancedStatus of(int klass, int subject, int detail) {
    return new EnhancedStatus(klass, subject, detail);
  }

  /** Parses {@code "5.1.1"}; returns null when the text is not an enhanced status code. */
  public static EnhancedStatus parse(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      int k = Integer.parseInt(parts[0]);
      int s = Integer.parseInt(parts[1]);
      int d = Integer.parseInt(parts[2]);
      if ((k != 2 && k != 4 && k != 5) || s < 0 || s > 999 || d < 0 || d > 999) {
        return null;
      }
      return new EnhancedStatus(k, s, d);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return klass + "." + subject + "." + detail;
  }
}
