import { type Static, Type } from '@sinclair/typebox';
import { msg, Text } from '../../platform/http/schema';

export const SignupRequest = Type.Object(
  {
    email: msg(Type.String({ format: 'email', maxLength: 255 }), {
      required: 'Email is required',
      format: 'Email must be a valid address',
      maxLength: 'Email must be at most 255 characters',
    }),
    password: msg(Type.String({ minLength: 8, maxLength: 128, writeOnly: true }), {
      required: 'Password is required',
      minLength: 'Password must be at least 8 characters',
      maxLength: 'Password must be at most 128 characters',
    }),
    nickname: Text({ label: 'Nickname', maxLength: 100, required: 'Nickname is required' }),
  },
  { additionalProperties: false, examples: [{ email: 'new.user@example.com', password: 'password123', nickname: '새 사용자' }] },
);
export type SignupRequest = Static<typeof SignupRequest>;

export const LoginRequest = Type.Object(
  {
    email: Text({ label: 'Email', maxLength: 255, required: 'Email is required' }),
    password: msg(Type.String({ minLength: 1, maxLength: 128, writeOnly: true }), {
      required: 'Password is required',
      minLength: 'Password is required',
    }),
  },
  { additionalProperties: false, examples: [{ email: 'test@example.com', password: 'password123' }] },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const TokenResponse = Type.Object(
  {
    accessToken: Type.String(),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the token expires' }),
  },
  {
    $id: 'AccessToken',
    examples: [{ accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEifQ.c2lnbmF0dXJl', tokenType: 'Bearer', expiresIn: 3600 }],
  },
);
export type TokenResponse = Static<typeof TokenResponse>;

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const authSchemas = [TokenResponse];
