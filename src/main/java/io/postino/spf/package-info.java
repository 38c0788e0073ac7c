/**
 * SPF verification (RFC 7208): {@link io.postino.spf.SpfEvaluator} is {@code check_host()} on
 * Postino's non-blocking, caching DNS lookups ({@link io.postino.dns.DnsLookups}), with every
 * mechanism and modifier, macros and the lookup limits; {@link io.postino.spf.SpfCheck} applies it
 * to a transaction's HELO and MAIL FROM identities at MAIL FROM and turns the results into
 * Authentication-Results entries and, by the configured {@link io.postino.spf.SpfOptions actions},
 * a refusal. The record syntax ({@link io.postino.spf.SpfRecord}) and macros are pure code.
 *
 * <p>Depends on: {@code dns}, {@code authres}, {@code smtp}, {@code config}.
 */
package io.postino.spf;
