import { Module } from '@nestjs/common';
import { Clock } from './clock.js';

/**
 * The one Clock of an application, shared by the modules that judge time (sessions, throttling):
 * a test that moves it moves them all. Needs no configuration (the CLI loads it too).
 */
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
