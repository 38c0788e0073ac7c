/**
 * Results of sender authentication (SPF, DKIM, DMARC, ARC, DNS lists) as RFC 8601 writes them:
 * {@link io.postino.authres.AuthResult}, one method's result, and
 * {@link io.postino.authres.AuthenticationResults}, the header field this server prepends. Pure
 * code, no I/O: the checks that produce results live in their own packages; {@link io.postino.authres.AuthorPolicy}
 * is how DMARC is asked once DKIM is done, and {@link io.postino.authres.Verdict} how a refusal of the
 * content reaches the session.
 *
 * <p>Depends on: nothing of Postino.
 */
package io.postino.authres;
