package io.postino.dkim;

import io.postino.authres.AuthResult;
import io.postino.authres.AuthenticationResults;
import io.postino.spool.LeadingHeaders;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The {@code Authentication-Results:} of a message whose results were all known before its content
 * (DNS lists, SPF), when DKIM verification is off: nothing to read in the content.
 */
final class KnownResults implements LeadingHeaders {

  private final String authservId;
  private final List<AuthResult> known;

  KnownResults(String authservId, List<AuthResult> known) {
    this.authservId = authservId;
    this.known = List.copyOf(known);
  }

  @Override
  public void update(ByteBuffer content) {
  }

  @Override
  public List<AuthResult> authResults() {
    return known;
  }

  @Override
  public Future<Buffer> complete() {
    return Future.succeededFuture(Buffer.buffer(AuthenticationResults.field(authservId, known)
        .getBytes(StandardCharsets.ISO_8859_1)));
  }
}
