/**
 * Addresses that are not mailboxes: virtual aliases per address and per domain (catch-alls and
 * domain aliases) from the configuration and a watched alias file, subaddresses
 * ({@code alice+news}), {@code postmaster@} and {@code abuse@} of every domain, and the Sender
 * Rewriting Scheme for what is forwarded elsewhere. {@link io.postino.alias.AliasExpander} turns
 * one recipient into the copies to make (pure code); {@link io.postino.alias.Aliases} holds the
 * ones in force on a node; {@link io.postino.alias.Srs} is the SRS codec.
 *
 * <p>Expansion happens at RCPT time, for the recipient policy of the listener ({@code server}), so
 * that the envelope in the spool holds the expanded recipients, as Postfix's cleanup writes them
 * into the queue file; the original recipient stays as each copy's ORCPT. Messages made on the
 * node ({@code postino.send}, reports) go through the same policy before they are spooled, by way
 * of the intake's {@code RecipientExpansion}.
 *
 * <p>Depends on: {@code smtp}, {@code config}, {@code files}.
 */
package io.postino.alias;
