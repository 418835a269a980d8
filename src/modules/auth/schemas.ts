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
  { additionalProperties: false },
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
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const TokenResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
});
export type TokenResponse = Static<typeof TokenResponse>;
