package io.postino.spf;

/** Ends an evaluation with {@code temperror} or {@code permerror} (RFC 7208 section 4.6). */
final class SpfException extends RuntimeException {

  private final SpfResult result;

  SpfException(SpfResult result, String message) {
    super(message, null, false, false);
    this.result = result;
  }

  static SpfException permerror(String message) {
    return new SpfException(SpfResult.PERMERROR, message);
  }

  static SpfException temperror(String message) {
    return new SpfException(SpfResult.TEMPERROR, message);
  }

  SpfResult result() {
    return result;
  }
}
