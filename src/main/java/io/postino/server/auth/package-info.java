/**
 * AUTH for the listeners: the users file (bcrypt hashes, watched and reloaded), password checks
 * on a worker, and the failure limits per session and per client address (a failure is reserved
 * before the check, so parallel sessions cannot get more checks than the limit).
 *
 * <p>Knows nothing of sessions: the session package calls it.
 *
 * <p>Depends on: {@code files}, {@code config}, {@code smtp}.
 */
package io.postino.server.auth;
