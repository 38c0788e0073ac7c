package io.postino.admin;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may use the admin port: the holder of the token (an {@code Authorization: Bearer} header, or
 * a {@code token} query parameter for a browser), and for figures only, anyone who can reach a
 * loopback-bound port. Queue contents (addresses, headers) and every change always need the token,
 * since any local user can reach loopback.
 */
public final class AdminAccess {

  private final byte[] token;
  private final boolean loopbackOnly;

  AdminAccess(String token, String host) {
    this.token = token.getBytes(StandardCharsets.US_ASCII);
    this.loopbackOnly = isLoopback(host);
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** A handler that lets only the token's holder on; {@code 401} otherwise. */
  public Handler<RoutingContext> requireToken() {
    return ctx -> {
      if (presentsToken(ctx)) {
        ctx.next();
      } else {
        ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"postino\"")
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end("{\"error\":\"the admin token is needed (Authorization: Bearer ...)\"}");
      }
    };
  }

  /** Open when the port is bound to loopback, the token's otherwise. */
  public Handler<RoutingContext> requireTokenOffLoopback() {
    Handler<RoutingContext> token = requireToken();
    return ctx -> {
      if (loopbackOnly) {
        ctx.next();
      } else {
        token.handle(ctx);
      }
    };
  }

  private boolean presentsToken(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String presented = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = header.substring(7).trim();
    } else if (ctx.request().getParam("token") != null) {
      presented = ctx.request().getParam("token");
    }
    // constant time, so that the token cannot be guessed octet by octet from reply times
    return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.US_ASCII));
  }
}
