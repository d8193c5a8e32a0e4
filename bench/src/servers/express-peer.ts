/**
 * Express 5 servers guarded by the peers a user would pick instead of keyscope, and by
 * hand-written minimal checks (the floor). `PEER` picks one: express-basic-auth, passport-http,
 * express-jwt, passport-jwt, jose-minimal, floor-basic, floor-hs256.
 */
import { createServer } from 'node:http';
import express, { type RequestHandler } from 'express';
import basicAuth from 'express-basic-auth';
import { expressjwt } from 'express-jwt';
import passport from 'passport';
import { BasicStrategy } from 'passport-http';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { floorBasic, floorHs256, joseMinimal } from './floors.ts';
import { APP_BODY, announce, HEALTH_BODY, loadKeys } from './shared.ts';

const keys = loadKeys();
const peer = process.env.PEER ?? '';

function guard(): RequestHandler {
  switch (peer) {
    case 'express-basic-auth':
      return basicAuth({
        authorizer: (user: string, password: string) => {
          const key = keys.get(user);
          return key !== undefined && basicAuth.safeCompare(password, key.secret);
        },
      });
    case 'passport-http':
      passport.use(
        new BasicStrategy((user, password, done) => {
          const key = keys.get(user);
          done(null, key !== undefined && key.secret === password ? key : false);
        }),
      );
      return passport.authenticate('basic', { session: false });
    case 'express-jwt':
      return expressjwt({
        algorithms: ['HS256'],
        secret: (_req, token) => {
          const kid = (token?.header as { kid?: string } | undefined)?.kid;
          const key = kid === undefined ? undefined : keys.get(kid);
          if (!key) throw new Error('unknown key');
          return key.secret;
        },
      }) as unknown as RequestHandler;
    case 'passport-jwt':
      passport.use(
        new JwtStrategy(
          {
            jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
            algorithms: ['HS256'],
            secretOrKeyProvider: (_req, raw, done) => {
              const kid = JSON.parse(
                Buffer.from(String(raw).split('.')[0] ?? '', 'base64url').toString(),
              ).kid;
              const key = keys.get(kid);
              done(key ? null : new Error('unknown key'), key?.secret);
            },
          },
          (payload: unknown, done: (e: unknown, u: unknown) => void) => done(null, payload),
        ),
      );
      return passport.authenticate('jwt', { session: false });
    case 'jose-minimal': {
      const check = joseMinimal(keys);
      return (req, res, next) => {
        check(req.headers.authorization).then(
          (ok) => (ok ? next() : res.status(401).json({ errors: [{ code: 'unauthorized' }] })),
          next,
        );
      };
    }
    case 'floor-basic':
    case 'floor-hs256': {
      const check = peer === 'floor-basic' ? floorBasic(keys) : floorHs256(keys);
      return (req, res, next) => {
        if (check(req.headers.authorization)) next();
        else res.status(401).json({ errors: [{ code: 'unauthorized' }] });
      };
    }
    default:
      throw new Error(`unknown PEER ${peer}`);
  }
}

const app = express();
app.get('/health', (_req, res) => {
  res.json(HEALTH_BODY);
});
app.get('/v2/apps/:appId', guard(), (_req, res) => {
  res.json(APP_BODY);
});
announce(createServer(app));
