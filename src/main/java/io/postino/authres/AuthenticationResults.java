package io.postino.authres;

import java.util.List;
import java.util.Locale;

/** The {@code Authentication-Results:} field (RFC 8601) that this server prepends to a message. */
public final class AuthenticationResults {

  private AuthenticationResults() {
  }

  /**
   * The field, CRLF-terminated: the authserv-id (this server's name), then each result on a line of
   * its own, or {@code none} when there is no result.
   */
  public static String field(String authservId, List<AuthResult> results) {
    StringBuilder sb = new StringBuilder("Authentication-Results: ").append(authservId.toLowerCase(Locale.ROOT));
    if (results.isEmpty()) {
      sb.append("; none");
    }
    for (AuthResult r : results) {
      sb.append(";\r\n\t").append(r);
    }
    return sb.append("\r\n").toString();
  }
}
