import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '../../platform/http/envelope';
import { Envelope, Ref } from '../../platform/http/schema';
import type { AuthService } from './service';
import { LoginRequest, SignupRequest, TokenResponse } from './schemas';

export function authRoutes(auth: AuthService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/signup',
      {
        config: { auth: 'public', limit: 'signup' },
        schema: {
          operationId: 'signup',
          summary: 'Create an account and get an access token',
          tags: ['auth'],
          body: SignupRequest,
          response: { 201: Envelope(Ref(TokenResponse)) },
        },
      },
      async (request, reply) => reply.status(201).send(ok(await auth.signup(request.body))),
    );
    app.post(
      '/login',
      {
        config: { auth: 'public', limit: 'login' },
        schema: {
          operationId: 'login',
          summary: 'Exchange an email and password for an access token',
          tags: ['auth'],
          body: LoginRequest,
          response: { 200: Envelope(Ref(TokenResponse)) },
        },
      },
      async (request) => ok(await auth.login(request.body)),
    );
  };
}
