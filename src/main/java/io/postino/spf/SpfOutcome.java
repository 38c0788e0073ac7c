package io.postino.spf;

/**
 * What checking one identity gave.
 *
 * @param result      the result
 * @param reason      why, for people (the matching mechanism, the error), or null
 * @param explanation the domain's own explanation of a {@code fail} ({@code exp=}), or null
 */
public record SpfOutcome(SpfResult result, String reason, String explanation) {

  static SpfOutcome of(SpfResult result, String reason) {
    return new SpfOutcome(result, reason, null);
  }
}
