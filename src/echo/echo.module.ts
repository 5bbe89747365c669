import { Module } from '@nestjs/common';
import { EchoGateway } from './echo.gateway.js';

/** Serves `/echo`; AppModule imports it when ECHO_ENABLED is true. */
@Module({ providers: [EchoGateway] })
export class EchoModule {}
