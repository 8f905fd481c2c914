// The framework floor: NestJS 12 on Fastify with one controller answering a constant, no hooks,
// no logging. Compiled with swc by bench/run.mjs (decorators), run as its own process.
// Prints `listening <port>`; exits when stdin closes or on SIGTERM.
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';

@Controller()
class HelloController {
  @Get('hello')
  hello(): string {
    return 'hello';
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

const app = await NestFactory.create<NestFastifyApplication>(
  HelloModule,
  new FastifyAdapter(),
  { logger: false },
);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address() as { port: number };
process.stdout.write(`listening ${address.port}\n`);

const stop = async (): Promise<void> => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
