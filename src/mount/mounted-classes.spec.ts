import 'reflect-metadata';
import { Controller, Get, Injectable, UseGuards, type CanActivate } from '@nestjs/common';
import { GUARDS_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner } from '@nestjs/core';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { GATEWAY_OPTIONS, MESSAGE_MAPPING_METADATA } from '@nestjs/websockets/constants.js';
import { controllerAt, gatewayAt, gatewaysAt } from './mounted-classes.js';

@Injectable()
class AllowAll implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@WebSocketGateway({ path: '/talk', perMessageDeflate: false })
@UseGuards(AllowAll)
class TalkGateway {
  @SubscribeMessage('say')
  say(): string {
    return 'said';
  }
}

@Controller('api/things')
class ThingsController {
  @Get()
  list(): string[] {
    return [];
  }
}

describe('gatewayAt', () => {
  it('uses the class itself at the path it declares', () => {
    expect(gatewayAt(TalkGateway, '/talk')).toBe(TalkGateway);
  });

  it('declares a subclass at another path, keeping the name, the other options, guards and handlers', () => {
    const mounted = gatewayAt(TalkGateway, '/elsewhere');
    expect(mounted).not.toBe(TalkGateway);
    expect(mounted.name).toBe('TalkGateway');
    expect(new mounted()).toBeInstanceOf(TalkGateway);
    expect(Reflect.getMetadata(GATEWAY_OPTIONS, mounted)).toEqual({ path: '/elsewhere', perMessageDeflate: false });
    expect(Reflect.getMetadata(GATEWAY_OPTIONS, TalkGateway)).toEqual({ path: '/talk', perMessageDeflate: false });
    expect(Reflect.getMetadata(GUARDS_METADATA, mounted)).toEqual([AllowAll]);
    const handlers = new MetadataScanner()
      .getAllMethodNames(mounted.prototype)
      .filter((name) =>
        Reflect.getMetadata(MESSAGE_MAPPING_METADATA, (mounted.prototype as Record<string, object>)[name]),
      );
    expect(handlers).toEqual(['say']);
  });

  it('gives one class per path', () => {
    const classes = gatewaysAt(TalkGateway, ['/a', '/talk', '/b']);
    expect(classes).toHaveLength(3);
    expect(classes[1]).toBe(TalkGateway);
    expect(new Set(classes).size).toBe(3);
  });
});

describe('controllerAt', () => {
  it('uses the class itself at the path it declares', () => {
    expect(controllerAt(ThingsController, '/api/things')).toBe(ThingsController);
  });

  it('declares a subclass under another path, the routes unchanged', () => {
    const mounted = controllerAt(ThingsController, '/v2/things');
    expect(mounted.name).toBe('ThingsController');
    expect(Reflect.getMetadata(PATH_METADATA, mounted)).toBe('/v2/things');
    expect(Reflect.getMetadata(PATH_METADATA, ThingsController)).toBe('api/things');
    expect(Reflect.getMetadata(PATH_METADATA, mounted.prototype.list)).toBe('/');
  });
});
